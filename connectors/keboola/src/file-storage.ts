import { createHash, createHmac } from 'node:crypto';
import { FatalSourceError } from '@agnes/connector-kit';

/**
 * A file as `GET /v2/storage/files/{id}?federationToken=1` returns it: the download URL
 * (pre-signed; for a sliced file it is the manifest's URL) and, per backend, the
 * short-lived credentials that read the slices the manifest lists.
 */
export interface KbcFile {
  id: number | string;
  name?: string;
  url: string;
  isSliced?: boolean;
  isGzipped?: boolean;
  provider?: 'aws' | 'azure' | 'gcp' | string;
  region?: string;
  /** AWS: STS federation credentials. */
  credentials?: { AccessKeyId: string; SecretAccessKey: string; SessionToken?: string };
  s3Path?: { bucket: string; key: string };
  /** Azure: `BlobEndpoint=https://…;SharedAccessSignature=sv=…`. */
  absCredentials?: { SASConnectionString: string };
  absPath?: { container: string; name: string };
  /** GCP: an OAuth access token for the file bucket. */
  gcsCredentials?: { access_token: string; token_type?: string };
  gcsPath?: { bucket: string; key: string };
}

/** An HTTP request that reads one slice: URL and headers (may hold credentials; never log them). */
export interface SliceRequest {
  url: string;
  headers: Record<string, string>;
}

/**
 * How to download one entry of a sliced file's manifest. Keboola lists slices as
 * `s3://bucket/key`, `azure://account.blob.core.windows.net/container/blob` or
 * `gs://bucket/key`; they are read with the file's federation credentials, because
 * unlike the manifest itself they are not pre-signed. An `https://` entry is taken
 * as pre-signed.
 */
export function sliceRequest(file: KbcFile, entryUrl: string, now: Date = new Date()): SliceRequest {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)\/(.+)$/i.exec(entryUrl);
  if (!m) throw new FatalSourceError(`file ${file.id}: a slice in its manifest has an unreadable URL`);
  const scheme = m[1]!.toLowerCase();
  const host = m[2]!;
  const path = m[3]!;
  switch (scheme) {
    case 'https':
    case 'http':
      return { url: entryUrl, headers: {} };
    case 's3': {
      const c = file.credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !file.region) {
        throw new FatalSourceError(`file ${file.id} lists S3 slices but came without federation credentials or region`);
      }
      const s3Host = `${host}.s3.${file.region}.amazonaws.com`;
      const canonicalPath = `/${path.split('/').map(encodeRfc3986).join('/')}`;
      const headers = signAwsV4({
        method: 'GET',
        host: s3Host,
        path: canonicalPath,
        service: 's3',
        region: file.region,
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        payloadHash: 'UNSIGNED-PAYLOAD',
        date: now,
      });
      return { url: `https://${s3Host}${canonicalPath}`, headers };
    }
    case 'azure': {
      const conn = parseConnectionString(file.absCredentials?.SASConnectionString ?? '');
      const endpoint = conn.BlobEndpoint ?? `https://${host}`;
      const sas = conn.SharedAccessSignature;
      if (!sas) throw new FatalSourceError(`file ${file.id} lists Azure slices but came without a SAS connection string`);
      return { url: `${endpoint.replace(/\/+$/, '')}/${path.split('/').map(encodeRfc3986).join('/')}?${sas}`, headers: {} };
    }
    case 'gs': {
      const token = file.gcsCredentials?.access_token;
      if (!token) throw new FatalSourceError(`file ${file.id} lists GCS slices but came without an access token`);
      return {
        url: `https://storage.googleapis.com/storage/v1/b/${encodeURIComponent(host)}/o/${encodeURIComponent(path)}?alt=media`,
        headers: { authorization: `Bearer ${token}` },
      };
    }
    default:
      throw new FatalSourceError(`file ${file.id}: slice URL scheme ${scheme}: is not supported (s3, azure, gs or https)`);
  }
}

/** `key=value;key=value` of an Azure connection string. */
function parseConnectionString(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Percent-encodes everything but RFC 3986 unreserved characters (what SigV4 expects). */
function encodeRfc3986(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Inputs of {@link signAwsV4}. `path` is already canonical (URI-encoded once). */
export interface AwsV4Request {
  method: string;
  host: string;
  path: string;
  /** Canonical query string (sorted, encoded); empty for a plain object GET. */
  query?: string;
  /** Extra headers to sign, e.g. `range`. */
  headers?: Record<string, string>;
  service: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Hex SHA-256 of the body, or `UNSIGNED-PAYLOAD` (S3). */
  payloadHash: string;
  date: Date;
  /** Send `x-amz-content-sha256` (S3 requires it). Default: when the service is s3. */
  contentSha256Header?: boolean;
}

/**
 * AWS Signature Version 4 (header form): returns the headers to send, `authorization`
 * included (`host` is signed but left to fetch). Written out because the only reader of
 * S3 here is one GET per slice, which does not justify the AWS SDK.
 */
export function signAwsV4(req: AwsV4Request): Record<string, string> {
  const amzDate = req.date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const sent: Record<string, string> = { ...lowerKeys(req.headers ?? {}), 'x-amz-date': amzDate };
  if (req.contentSha256Header ?? req.service === 's3') sent['x-amz-content-sha256'] = req.payloadHash;
  if (req.sessionToken) sent['x-amz-security-token'] = req.sessionToken;
  const signed: Record<string, string> = { ...sent, host: req.host };
  const names = Object.keys(signed).sort();
  const canonicalHeaders = names.map((n) => `${n}:${signed[n]!.trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [req.method, req.path, req.query ?? '', canonicalHeaders, signedHeaders, req.payloadHash].join('\n');
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${req.secretAccessKey}`, day);
  for (const part of [req.region, req.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...sent,
    authorization: `AWS4-HMAC-SHA256 Credential=${req.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
