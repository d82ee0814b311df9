import { KNOWLEDGE_LIMITS } from '@weft/domain';
import { NodeFailure } from '../../errors/node-failure';

/**
 * Counts the segments a document is split into and stops the split as soon as it would pass the
 * limit, before the rest is computed (a 15 MB text cut in 50-character pieces is 300,000).
 */
export class SegmentBudget {
  private count = 0;

  constructor(readonly max: number = KNOWLEDGE_LIMITS.maxSegmentsPerDocument) {}

  take(): void {
    this.count += 1;
    if (this.count > this.max) {
      // Thrown where the document's name is unknown: the template's {name} is left to the caller's context.
      throw new NodeFailure('document_too_large', `The document is too large: it splits into more than ${this.max.toLocaleString('en-US')} segments`);
    }
  }
}
