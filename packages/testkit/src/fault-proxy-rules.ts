import { ImageError } from '@ferry/types';
import type { FaultAction, FaultRule } from './fault-proxy-types.ts';

interface RuleState {
  readonly rule: FaultRule;
  readonly after: number;
  readonly times: number;
  seen: number;
  applied: number;
}

/** The rules of one proxy, each with its own counters. */
export interface FaultRules {
  add(rule: FaultRule): void;
  clear(): void;
  /** Counts the request against every matching rule and returns the action whose turn it is, if any. */
  pick(method: string, target: string): FaultAction | undefined;
}

/** Makes an empty rule set. */
export function createFaultRules(): FaultRules {
  let states: RuleState[] = [];
  return {
    add(rule) {
      const after = rule.after ?? 0;
      const times = rule.times ?? 1;
      checkCount('after', after);
      if (times !== Number.POSITIVE_INFINITY) checkCount('times', times);
      checkAction(rule.action);
      states.push({ rule, after, times, seen: 0, applied: 0 });
    },
    clear() {
      states = [];
    },
    pick(method, target) {
      const queryAt = target.indexOf('?');
      const path = queryAt < 0 ? target : target.slice(0, queryAt);
      let chosen: FaultAction | undefined;
      for (const state of states) {
        if (!matches(state.rule, method, path, target)) continue;
        state.seen += 1;
        if (chosen !== undefined || state.seen <= state.after || state.applied >= state.times) continue;
        state.applied += 1;
        chosen = state.rule.action;
      }
      return chosen;
    },
  };
}

function matches(rule: FaultRule, method: string, path: string, target: string): boolean {
  if (rule.method !== undefined && rule.method !== method) return false;
  if (rule.path === undefined) return true;
  if (typeof rule.path === 'string') return rule.path === path;
  rule.path.lastIndex = 0; // a global or sticky RegExp must not carry state from one request to the next
  return rule.path.test(target);
}

function checkCount(name: string, value: number): void {
  if (!(Number.isSafeInteger(value) && value >= 0)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `fault rule ${name} must be an integer >= 0, got ${value}`);
  }
}

function checkAction(action: FaultAction): void {
  switch (action.kind) {
    case 'status':
      checkStatus(action.status);
      break;
    case 'redirect':
      checkStatus(action.status ?? 307);
      break;
    case 'retry-after':
      checkCount('retry-after seconds', action.seconds);
      break;
    case 'reset-response':
    case 'reset-request':
    case 'truncate-response':
      checkCount(`${action.kind} afterBytes`, action.afterBytes);
      break;
    case 'stall':
      checkCount('stall ms', action.ms);
      break;
    case 'corrupt-response':
      checkCount('corrupt-response atByte', action.atByte);
      break;
    case 'wrong-content-length':
      if (!Number.isSafeInteger(action.delta)) {
        throw new ImageError('ERR_INVALID_ARGUMENT', 'wrong-content-length delta must be an integer');
      }
      break;
    case 'header':
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(action.name)) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `invalid header name in fault rule: ${action.name}`);
      }
      if (action.value !== null && /[\r\n\0]/.test(action.value)) {
        throw new ImageError('ERR_INVALID_ARGUMENT', `invalid value for header ${action.name} in fault rule`);
      }
      break;
    default:
      throw new ImageError('ERR_INVALID_ARGUMENT', `unknown fault kind ${(action as { kind: unknown }).kind}`);
  }
}

function checkStatus(status: number): void {
  if (!(Number.isInteger(status) && status >= 200 && status <= 599)) {
    throw new ImageError('ERR_INVALID_ARGUMENT', `fault status must be an integer in 200..599, got ${status}`);
  }
}
