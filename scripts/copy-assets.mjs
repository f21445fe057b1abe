// Copies non-TypeScript assets that the build must ship (SQL migrations) into dist/.
import { cpSync, existsSync } from 'node:fs';
const pairs = [['src/store/migrations', 'dist/store/migrations']];
for (const [from, to] of pairs) {
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
