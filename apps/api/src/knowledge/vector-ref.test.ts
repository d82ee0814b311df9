import { vectorRefOf } from './knowledge.service';

describe('vectorRefOf: where a knowledge’s vectors live', () => {
  const base = { id: 'kb_1', tenantId: 't_1' };

  it('economy knowledge has no dense vectors, whatever was recorded', () => {
    expect(vectorRefOf({ ...base, indexing: 'economy', embedding: null, vectorDimensions: null })).toEqual({ tenantId: 't_1', knowledgeId: 'kb_1', dimensions: null });
  });

  it('high-quality knowledge: its set dimensions, else those its first indexing recorded, else none yet', () => {
    expect(vectorRefOf({ ...base, indexing: 'high-quality', embedding: { model: 'm', dimensions: 256 }, vectorDimensions: null }).dimensions).toBe(256);
    expect(vectorRefOf({ ...base, indexing: 'high-quality', embedding: { model: 'm' }, vectorDimensions: 1536 }).dimensions).toBe(1536);
    expect(vectorRefOf({ ...base, indexing: 'high-quality', embedding: { model: 'm' }, vectorDimensions: null }).dimensions).toBeNull();
  });
});
