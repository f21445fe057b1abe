// Cloudflare's response envelope {success, errors, messages, result[, result_info]} (API.md §2.1).
// Success always carries all three of success/errors/messages (cloudflare-go requires them); failure
// has result null and at least one error {code, message, source?: {pointer}}.
import type { ApiError } from './errors.js';

export interface ErrorItem {
  code: number;
  message: string;
  source?: { pointer: string };
  error_chain?: Array<{ code: number; message: string }>;
}

/** ResultInfo is V4PagePaginationArray's page description (total_pages is informative only). */
export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export interface SuccessEnvelope<T> {
  success: true;
  errors: [];
  messages: [];
  result: T;
  result_info?: ResultInfo;
}

export interface FailureEnvelope {
  success: false;
  errors: ErrorItem[];
  messages: [];
  result: null;
}

export function ok<T>(result: T, resultInfo?: ResultInfo): SuccessEnvelope<T> {
  const env: SuccessEnvelope<T> = { success: true, errors: [], messages: [], result };
  if (resultInfo) env.result_info = resultInfo;
  return env;
}

export function errorItem(err: ApiError): ErrorItem {
  const item: ErrorItem = { code: err.code, message: err.message };
  if (err.pointer !== undefined) item.source = { pointer: err.pointer };
  if (err.rule.chain) item.error_chain = [{ ...err.rule.chain }];
  return item;
}

export function fail(err: ApiError): FailureEnvelope {
  return { success: false, errors: [errorItem(err)], messages: [], result: null };
}

/** pageInfo builds result_info for one page of a list of totalCount items. */
export function pageInfo(page: number, perPage: number, count: number, totalCount: number): ResultInfo {
  return { page, per_page: perPage, count, total_count: totalCount, total_pages: Math.max(1, Math.ceil(totalCount / perPage)) };
}
