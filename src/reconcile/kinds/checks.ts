/**
 * The semantic checks of each resource kind, in the order they run: a kind reads what the
 * kinds before it recorded in the checker's CheckFacts (domains -> the listed domains; numbers
 * -> the pool; users -> the declared users and numbers). Each is the checks.ts of its kind's module
 * (reconcile/kinds/<kind>/): adding a kind is one module and one line here and in KINDS (index.ts).
 */
import type { SemanticChecker } from '../../desired/semantics.js';
import type { DesiredState } from '../../desired/types.js';
import { checkAliases } from './aliases/checks.js';
import { checkDomains } from './domains/checks.js';
import { checkNumbers } from './numbers/checks.js';
import { checkPhones } from './phones/checks.js';
import { checkProvisioning } from './provisioning/checks.js';
import { checkUsers } from './users/checks.js';

export type KindCheck = (checker: SemanticChecker, state: DesiredState) => void;

export const DESIRED_KINDS: readonly KindCheck[] = [checkDomains, checkNumbers, checkUsers, checkAliases, checkPhones, checkProvisioning];
