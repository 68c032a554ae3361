import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { isSecretCandidate, mask, scanEnv, scanText } from './secrets.js';

// Test values are assembled at run time so that no token-shaped string sits in the repository.
const AWS_ID = 'AKIA' + 'Z4X7QW2JHN3PLR5T';
const AWS_SECRET = 'q8Jd7Kp2Lm9Xz4Rt6Vb1' + 'Nc3Hs5Wy0Ge8Fa2Ui7Yo';
const GH = 'ghp_' + '4f9Kx2Lm8Qw1Zr7Tb3Nc6Vy0Hs5Jd2Pa9Ge1';
const SLACK = 'xoxb-' + '1234567890-abcdefghijKLMN';
const JWT = 'eyJhbGciOiJSUzI1NiJ9' + '.eyJzdWIiOiJ2aWdpbC10ZXN0In0.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg';

describe('scanText: true positives', () => {
  test.each`
    text                                                        | kind                                  | secret
    ${`aws_access_key_id = ${AWS_ID}`}                          | ${'AWS access key id'}                | ${AWS_ID}
    ${`aws_secret_access_key = ${AWS_SECRET}`}                  | ${'AWS secret access key'}            | ${AWS_SECRET}
    ${`token: ${GH}`}                                           | ${'GitHub token'}                     | ${GH}
    ${`SLACK=${SLACK}`}                                         | ${'Slack token'}                      | ${SLACK}
    ${`auth: "${JWT}"`}                                         | ${'JSON Web Token'}                   | ${JWT}
    ${'DATABASE_URL=postgres://app:S3cr3t-Passw0rd@db:5432/app'} | ${'database URL with a password (postgres)'} | ${'S3cr3t-Passw0rd'}
    ${'url = https://deploy:hunter2hunter2@git.example.org/x'} | ${'URL with an embedded password (https)'} | ${'hunter2hunter2'}
    ${'DB_PASSWORD=Tr0ub4dor&3x'}                               | ${'password'}                         | ${'Tr0ub4dor&3x'}
    ${'"client_secret": "9f8e7d6c5b4a39281706f5e4"'}            | ${'secret or token'}                  | ${'9f8e7d6c5b4a39281706f5e4'}
  `('$kind', ({ text, kind, secret }: { text: string; kind: string; secret: string }) => {
    const found = scanText(text);
    expect(found.map((f) => f.kind)).toContain(kind);
    expect(JSON.stringify(found)).not.toContain(secret);
    expect(JSON.stringify(found)).not.toContain(secret.slice(0, 8));
  });

  test('PEM private keys: RSA and EC in PKCS#8, OpenSSH and PGP headers', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const rsa1 = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(scanText(rsa)).toEqual([{ kind: 'RSA private key', where: 'line 1', masked: '-----BEGIN PRIVATE KEY-----' }]);
    expect(scanText(ec).map((f) => f.kind)).toEqual(['EC private key']);
    expect(scanText(`# key\n${rsa1}`).map((f) => [f.kind, f.where])).toEqual([['RSA private key', 'line 2']]);
    expect(scanText('-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n-----END OPENSSH PRIVATE KEY-----').map((f) => f.kind)).toEqual(['OPENSSH private key']);
    expect(scanText('-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ\n-----END PGP PRIVATE KEY BLOCK-----').map((f) => f.kind)).toEqual(['PGP private key']);
    // The key body is never echoed.
    const body = rsa.split('\n')[1]!;
    expect(JSON.stringify(scanText(rsa))).not.toContain(body.slice(0, 12));
  });
});

describe('scanText: allowed and not secrets', () => {
  test.each`
    text
    ${'aws_access_key_id = AKIAIOSFODNN7EXAMPLE'}
    ${'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'}
    ${'AWS_ACCESS_KEY_ID=AKIAI44QH8DHBEXAMPLE'}
    ${'password = changeme'}
    ${'password: ${DB_PASSWORD}'}
    ${'password_file = /run/secrets/db'}
    ${'api_key: <your-api-key>'}
    ${'url = postgres://user:${PGPASSWORD}@db/app'}
    ${'token_type: bearer'}
    ${'secret_key_base: {{ vault.secret }}'}
    ${'-----BEGIN PUBLIC KEY-----'}
    ${'-----BEGIN CERTIFICATE-----'}
    ${'#Filename: /var/cache/debconf/passwords.dat'}
    ${'PASS_MAX_DAYS\t99999'}
  `('$text', ({ text }: { text: string }) => {
    expect(scanText(text)).toEqual([]);
  });
});

describe('scanEnv', () => {
  test('a GitHub token in API_TOKEN is named by its shape; the value is masked', () => {
    const found = scanEnv(['PATH=/usr/bin:/bin', `API_TOKEN=${GH}`]);
    expect(found).toEqual([{ kind: 'GitHub token', where: 'env API_TOKEN', name: 'API_TOKEN', masked: 'ghp_…' }]);
  });
  test.each`
    kv                                      | kind
    ${`AWS_ACCESS_KEY_ID=${AWS_ID}`}        | ${'AWS access key id'}
    ${`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`} | ${'AWS secret access key'}
    ${'MYSQL_ROOT_PASSWORD=hunter2hunter2'} | ${'password'}
    ${'SERVICE_TOKEN=abcdefabcdef'}          | ${'secret in a variable named like one'}
    ${'REDIS_URL=redis://:s3cretpass@cache:6379'} | ${'database URL with a password (redis)'}
  `('$kind', ({ kv, kind }: { kv: string; kind: string }) => {
    const found = scanEnv([kv]);
    expect(found.map((f) => f.kind)).toEqual([kind]);
    expect(JSON.stringify(found)).not.toContain(kv.slice(kv.indexOf('=') + 1));
  });
  test.each`
    kv
    ${'PATH=/usr/local/sbin:/usr/local/bin'}
    ${'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D'}
    ${'AWS_REGION=eu-west-1'}
    ${'PASSWORD_FILE=/run/secrets/pw'}
    ${'AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE'}
    ${'DB_PASSWORD='}
    ${'API_TOKEN=changeme'}
  `('not a secret: $kv', ({ kv }: { kv: string }) => {
    expect(scanEnv([kv])).toEqual([]);
  });
});

test('mask: at most 4 leading characters, fewer for short values', () => {
  expect(mask('AKIAZ4X7QW2JHN3PLR5T')).toBe('AKIA…');
  expect(mask('S3cr3t-Passw0rd')).toBe('S3…');
  expect(mask('hunter22')).toBe('…');
});

describe('isSecretCandidate: a cheap path test', () => {
  test.each`
    path                                              | read
    ${'/app/.env'}                                    | ${true}
    ${'/srv/app/prod.env'}                            | ${true}
    ${'/app/.env.example'}                            | ${false}
    ${'/app/config/deploy_key.pem'}                   | ${true}
    ${'/root/.ssh/id_rsa'}                            | ${true}
    ${'/root/.ssh/id_rsa.pub'}                        | ${false}
    ${'/root/.aws/credentials'}                       | ${true}
    ${'/root/.docker/config.json'}                    | ${true}
    ${'/app/config/settings.yaml'}                    | ${true}
    ${'/etc/myapp/app.conf'}                          | ${true}
    ${'/app/node_modules/lodash/package.json'}        | ${false}
    ${'/app/node_modules/x/server.key'}               | ${true}
    ${'/app/node_modules/x/test/fixtures/server.key'} | ${false}
    ${'/usr/lib/python3.11/test/certdata/keycert.pem'} | ${false}
    ${'/usr/local/lib/python3.12/test/keycert.pem'}   | ${false}
    ${'/usr/share/doc/openssl/demo.key'}              | ${false}
    ${'/etc/ssl/certs/ca-certificates.crt'}           | ${false}
    ${'/app/server.js'}                               | ${false}
    ${'/usr/bin/passwd'}                              | ${false}
  `('$path → $read', ({ path, read }: { path: string; read: boolean }) => {
    expect(isSecretCandidate(path)).toBe(read);
  });
});
