#!/usr/bin/env node
// Placeholder composition root; replaced as the pieces land.
console.log('zonexfer');
