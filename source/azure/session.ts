/**
 * PLACEHOLDER contract, completed by the azure module owner: the per-run Azure access object.
 * `createAzureSession(base, options)` builds it from exec/env; every az question is asked once.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by the azure module
export interface AzureSession {}
