import { isNotPublic, targetRefusal } from './safe-target.js';

describe('where a webhook may point', () => {
  it('refuses private, loopback, link-local and IPv4-embedding addresses, and takes public ones', () => {
    const refused = ['10.1.2.3', '127.0.0.1', '169.254.169.254', '172.16.0.1', '192.168.1.1', '100.64.0.1', '0.0.0.0', '::1', '::', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '::7f00:1', '2002:7f00:1::', '64:ff9b::a00:1'];
    expect(refused.filter((address) => !isNotPublic(address))).toEqual([]);
    expect(['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111'].filter(isNotPublic)).toEqual([]);
  });

  it('takes https anywhere public, http and private addresses only on the allowlist, and no credentials', () => {
    const refusal = (url: string, allowed: string[] = []) => targetRefusal(new URL(url), allowed);
    expect(refusal('https://hooks.example.org/ledger')).toBeUndefined();
    expect(refusal('http://hooks.example.org/ledger')).toMatch(/https/);
    expect(refusal('http://127.0.0.1:9000/x', ['127.0.0.1'])).toBeUndefined();
    expect(refusal('https://2130706433/x')).toMatch(/127\.0\.0\.1/);
    expect(refusal('https://[::ffff:a00:1]/x')).toMatch(/private/);
    expect(refusal('ftp://hooks.example.org/x')).toMatch(/https/);
    expect(refusal('https://user:secret@hooks.example.org/x')).toMatch(/user name or password/);
  });
});
