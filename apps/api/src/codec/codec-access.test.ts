import { codecOrigins } from './codec-access';

describe('codecOrigins', () => {
  it("is the Temporal Web UI's origin by default, else the origins listed (paths and trailing slashes dropped)", () => {
    expect(codecOrigins('', 'http://127.0.0.1:8233/namespaces/default')).toEqual(['http://127.0.0.1:8233']);
    expect(codecOrigins(' https://temporal.example.com/ , http://localhost:8233', 'http://127.0.0.1:8233')).toEqual(['https://temporal.example.com', 'http://localhost:8233']);
  });
});
