import { createS3Client } from '../../src/restore/s3-client';

describe('createS3Client', () => {
  it('talks to AWS by default: virtual-host addressing, SDK checksum defaults', async () => {
    const client = createS3Client({ region: 'eu-west-1' });
    expect(await client.config.region()).toBe('eu-west-1');
    expect(client.config.forcePathStyle).toBe(false);
    expect(client.config.isCustomEndpoint).toBe(false);
    expect(await client.config.maxAttempts()).toBe(3);
    client.destroy();
  });

  it('points at an emulator with path-style addressing and checksums only when required', async () => {
    const client = createS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4568', maxAttempts: 5 });
    expect(client.config.isCustomEndpoint).toBe(true);
    expect(await client.config.endpoint?.()).toMatchObject({
      hostname: '127.0.0.1',
      port: 4568,
      protocol: 'http:',
    });
    expect(client.config.forcePathStyle).toBe(true);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    expect(await client.config.maxAttempts()).toBe(5);
    client.destroy();
  });

  it('lets the caller keep virtual-host addressing with an endpoint', () => {
    const client = createS3Client({
      region: 'us-east-1',
      endpoint: 'http://s3.local:4566',
      forcePathStyle: false,
    });
    expect(client.config.forcePathStyle).toBe(false);
    client.destroy();
  });
});
