import { describe, expect, it } from 'vitest';
import { FatalSourceError } from '@agnes/connector-kit';
import { type KbcFile, signAwsV4, sliceRequest } from './file-storage.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('signAwsV4', () => {
  it('matches the get-vanilla case of the AWS SigV4 test suite', () => {
    const headers = signAwsV4({
      method: 'GET',
      host: 'example.amazonaws.com',
      path: '/',
      service: 'service',
      region: 'us-east-1',
      accessKeyId: 'AKIDEXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      payloadHash: EMPTY_SHA256,
      date: new Date('2015-08-30T12:36:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('matches the S3 GetObject example of the AWS documentation', () => {
    const headers = signAwsV4({
      method: 'GET',
      host: 'examplebucket.s3.amazonaws.com',
      path: '/test.txt',
      headers: { Range: 'bytes=0-9' },
      service: 's3',
      region: 'us-east-1',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      payloadHash: EMPTY_SHA256,
      date: new Date('2013-05-24T00:00:00Z'),
    });
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
    );
  });
});

describe('sliceRequest', () => {
  const base: KbcFile = { id: 7, url: 'https://files.example/manifest' };

  it('signs s3:// slices with the federation credentials, session token included', () => {
    const file: KbcFile = {
      ...base,
      region: 'eu-central-1',
      credentials: { AccessKeyId: 'AKID', SecretAccessKey: 'SECRET', SessionToken: 'SESSION' },
    };
    const r = sliceRequest(file, 's3://kbc-files/exp-2/7/part 0.csv.gz0000_part_00', new Date('2026-01-01T00:00:00Z'));
    expect(r.url).toBe('https://kbc-files.s3.eu-central-1.amazonaws.com/exp-2/7/part%200.csv.gz0000_part_00');
    expect(r.headers['x-amz-security-token']).toBe('SESSION');
    expect(r.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
    expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/20260101\/eu-central-1\/s3\/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/);
  });

  it('appends the SAS to azure:// slices and sends a bearer token for gs:// slices', () => {
    const azure = sliceRequest(
      { ...base, absCredentials: { SASConnectionString: 'BlobEndpoint=https://acct.blob.core.windows.net;SharedAccessSignature=sv=2017&sig=abc' } },
      'azure://acct.blob.core.windows.net/exp-2/7/part0.csv.gz',
    );
    expect(azure).toEqual({ url: 'https://acct.blob.core.windows.net/exp-2/7/part0.csv.gz?sv=2017&sig=abc', headers: {} });
    const gcs = sliceRequest({ ...base, gcsCredentials: { access_token: 'ya29.x' } }, 'gs://kbc-files/exp-2/7/part0.csv.gz');
    expect(gcs).toEqual({
      url: 'https://storage.googleapis.com/storage/v1/b/kbc-files/o/exp-2%2F7%2Fpart0.csv.gz?alt=media',
      headers: { authorization: 'Bearer ya29.x' },
    });
  });

  it('refuses slices it cannot read, without echoing credentials', () => {
    expect(() => sliceRequest(base, 's3://kbc-files/x')).toThrow(FatalSourceError);
    expect(() => sliceRequest(base, 'ftp://host/x')).toThrow(/scheme ftp/);
  });
});
