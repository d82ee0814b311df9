import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Failures with their message and stack trace moved into an encoded payload (`encodedAttributes`),
 * which the payload codec then encrypts: a failure's message can quote a vendor's answer or a code
 * node's error. Loaded by path (the data converter's `failureConverterPath`), so this file is also
 * bundled into the workflow code: it must import nothing but @temporalio/common. Any converter
 * decodes such failures (the default one reads `encodedAttributes` whenever present), so failures
 * written before it, and readers without it, still work.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
