import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption.codec';
import { parsePayloadKeyring, type PayloadKeySettings } from './payload-keyring';

/** The payload settings of an app's config (both apps have them), as the codec takes them. */
export interface PayloadConfig {
  /** `id:key,…`; empty: the key derived from WEFT_ENCRYPTION_KEY alone */
  WEFT_PAYLOAD_KEYS?: string | undefined;
  WEFT_PAYLOAD_KEY_ID?: string | undefined;
  WEFT_ENCRYPTION_KEY: string;
}

export const payloadKeySettings = (config: PayloadConfig): PayloadKeySettings => ({
  ...(config.WEFT_PAYLOAD_KEYS ? { keys: config.WEFT_PAYLOAD_KEYS } : {}),
  ...(config.WEFT_PAYLOAD_KEY_ID ? { keyId: config.WEFT_PAYLOAD_KEY_ID } : {}),
  encryptionKey: config.WEFT_ENCRYPTION_KEY,
});

/** The failure converter's module, for the data converter and for bundling workflow code with it. */
export const FAILURE_CONVERTER_PATH = require.resolve('./failure.converter');

/**
 * The data converter every Client and Worker of Weft is built with (the API, the worker, the
 * reconciler's inspector, the tests, the benchmarks), so every payload Temporal stores is
 * ciphertext, failures' messages included (failure.converter.ts). Codecs run in the worker's main
 * thread, outside the workflow sandbox.
 */
export function payloadDataConverter(config: PayloadConfig): DataConverter & { payloadCodecs: [EncryptionCodec] } {
  return { payloadCodecs: [new EncryptionCodec(parsePayloadKeyring(payloadKeySettings(config)))], failureConverterPath: FAILURE_CONVERTER_PATH };
}

/** What is wrong with an app's payload key settings, for its config check at start-up; undefined when nothing is. */
export function payloadKeysProblem(config: PayloadConfig): string | undefined {
  try {
    parsePayloadKeyring(payloadKeySettings(config));
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
