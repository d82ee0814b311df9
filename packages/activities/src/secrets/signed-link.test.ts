import { randomBytes } from 'node:crypto';
import { SignedLinks } from './signed-link';

const key = randomBytes(32).toString('hex');
const later = new Date(Date.now() + 60_000);

describe('signed links', () => {
  it("keeps kinds apart: one label's (or version's) token is invalid as another's", () => {
    const invites = new SignedLinks(key, 'weft invitation links v1', 'i1');
    const forms = new SignedLinks(key, 'weft form links v1', 'f1');
    const token = invites.sign('inv_1', later);
    expect(invites.verify(token)).toEqual({ ok: true, claims: { id: 'inv_1', expiresAt: later } });
    expect(forms.verify(token)).toEqual({ ok: false, reason: 'invalid' });
    // Same version, another label: the signature does not match.
    expect(new SignedLinks(key, 'another label', 'i1').verify(token)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('names the object of an expired token it signed, so the caller can say why it is gone', () => {
    const links = new SignedLinks(key, 'label', 'x1');
    const past = new Date(Date.now() - 1000);
    expect(links.verify(links.sign('obj_1', past))).toEqual({ ok: false, reason: 'expired', claims: { id: 'obj_1', expiresAt: past } });
  });

  it('refuses a version that would not parse back', () => {
    expect(() => new SignedLinks(key, 'label', 'a.b')).toThrow(/version/);
  });
});
