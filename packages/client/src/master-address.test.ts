import { describe, expect, it } from 'vitest';
import { looksLikeAddress, masterBaseUrl } from './master-address.js';

describe('masterBaseUrl', () => {
  it('reads what people type', () => {
    expect(masterBaseUrl('10.0.0.5:50060')).toBe('http://10.0.0.5:50060');
    expect(masterBaseUrl('master.example.com')).toBe('http://master.example.com:50053');
    expect(masterBaseUrl('[::1]:7000')).toBe('http://[::1]:7000');
    expect(masterBaseUrl('https://m:9000')).toBe('https://m:9000');
    expect(masterBaseUrl('m:9000', true)).toBe('https://m:9000');
    expect(masterBaseUrl(' http://m ')).toBe('http://m:50053');
  });

  it('refuses what is not a master address, naming it', () => {
    for (const bad of ['127.0.0.1:', 'http://m:/', 'ftp://m:21', 'http://m:1/path', 'http://', 'a b:1']) {
      expect(() => masterBaseUrl(bad), bad).toThrow(`'${bad}' is not a master address`);
    }
  });
});

describe('looksLikeAddress', () => {
  it('tells addresses from saved master names', () => {
    expect(['10.0.0.5:50053', 'localhost', 'https://m', 'm.example.com', '[::1]'].map(looksLikeAddress)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['production', 'staging-eu'].map(looksLikeAddress)).toEqual([false, false]);
  });
});
