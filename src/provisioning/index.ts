/**
 * Phone provisioning: supported models, the vendor-neutral phone description, the settings
 * vocabulary, templates and rendering. See docs/provisioning.md.
 */
export { MODELS, VENDORS, VENDOR_KEY_TYPES, findModel, type KeyType, type PhoneModel, type Vendor } from './models.js';
export { describeLine, describeKeys, parseHostPort, type DomainServer, type FunctionKey, type KeySource, type LineUser, type PhoneDescription, type PhoneLine, type SipHop, type Transport } from './phone.js';
export { LANGUAGES, SECRET_SETTINGS, checkSettings, resolveSettings, type Settings, type SettingsProblem } from './settings.js';
export { isTimeZone, timeZoneInfo, type TimeZoneInfo } from './timezone.js';
export { escapeCfg, escapeXml, oneLine, type FileFormat } from './escape.js';
export { TemplateError } from './engine.js';
export { TEMPLATE_SUFFIX, builtInTemplates, overrideProblem, readTemplateDir, type TemplateSource } from './templates.js';
export { checkTemplates, createRenderer, hashFiles, type RenderedFile, type Renderer, type RendererOptions } from './render.js';
export { checkPhone, describePhone, type PhoneProblem, type PhoneSource, type Profile, type ProvisioningConfig } from './describe.js';
export { macOfFileName } from './file-names.js';
export { samplePhone } from './sample.js';
export type { VendorFile } from './vendors/index.js';
export { hashSecret, lineUserOf, parseApplied, sameItem, secretField, stableJson, storedBody, verifySecret, type AppliedPhone, type AppliedProvisioning, type DesiredItem } from './applied.js';
