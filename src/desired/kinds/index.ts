/**
 * The semantic checks of each resource kind, in the order they run: a kind reads what the
 * kinds before it recorded in the checker's CheckFacts (domains -> the listed domains; numbers
 * -> the pool; users -> the declared users and numbers). Adding a kind is one module and one line.
 */
import type { SemanticChecker } from '../semantics.js';
import type { DesiredState } from '../types.js';
import { checkAliases } from './aliases.js';
import { checkDomains } from './domains.js';
import { checkNumbers } from './numbers.js';
import { checkPhones } from './phones.js';
import { checkUsers } from './users.js';

export type KindCheck = (checker: SemanticChecker, state: DesiredState) => void;

export const DESIRED_KINDS: readonly KindCheck[] = [checkDomains, checkNumbers, checkUsers, checkAliases, checkPhones];
