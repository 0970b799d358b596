/**
 * The operation functions: the only writers of Kamailio's and hermes' tables. The
 * reconciler, the node API server and `hermes call` all go through these.
 */
export type { Address, UserRecord, LocalUserInput, RemoteUserInput, UserUpdate, UpdatableUserField, AliasInput, AliasKey, PhoneLineInput, PhoneLineKey, PhoneLine, AliasRecord } from './types.js';
export type { OpContext } from './context.js';
export { OpFailure, invalid, failed, type Envelope, type OkEnvelope, type FailureEnvelope, type ResponseKind } from './envelope.js';
export { addDomains, removeDomains } from './domains.js';
export { writeAuditRecords, type AuditRecord } from './audit.js';
export { getUser, listUsers, addLocalUsers, addRemoteUsers, updateUsers, removeUsers } from './users.js';
export { generatePassword } from './password.js';
export { phoneConfig, phoneFileNames, putProvisioningItems, readProvisioningItems, removeProvisioningItems, type PhoneConfigFile } from './provisioning.js';
export { contentHash, FetchRecorder, INVENTORY_DELAY_MS, phoneFileHashes, phoneInfo, provisionStatus, recordFetch, recordFetches, type FetchRecord, type FileFetch, type ProvisionStatus } from './inventory.js';
export { addPhones, removePhones, listPhones, phonesOfMac, phonesOfUser } from './phones.js';
export { addNumbers, removeNumbers, addNumberRange, listNumbers, numberInPool, MAX_RANGE_SIZE } from './numbers.js';
export { addAliases, removeAliases, listAliases, aliasesOfUser } from './aliases.js';
export * from './canonical.js';
export { NODES, callNode, type NodeDefinition, type NodeParams } from './nodes.js';
