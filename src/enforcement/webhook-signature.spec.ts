import { signWebhookBody, verifyWebhookSignature } from './webhook-signature.js';

describe('webhook signature', () => {
  const secret = 'a-webhook-secret-of-some-length';

  it('matches HMAC-SHA256 of the raw body as sha256=<hex>', () => {
    // Reference value from `printf '{"a":1}' | openssl dgst -sha256 -hmac a-webhook-secret-of-some-length`.
    expect(signWebhookBody(secret, '{"a":1}')).toBe(
      'sha256=cb107b7e63cbd4e68300a0a137ff8115c1dae69888ab068053deeeacf7ecfa26',
    );
    expect(signWebhookBody(secret, '{"a":1}')).toBe(signWebhookBody(secret, Buffer.from('{"a":1}')));
  });

  it('verifies the genuine signature and refuses a changed body, another secret or no header', () => {
    const body = '{"deliveryId":"x-v1"}';
    const header = signWebhookBody(secret, body);
    expect(verifyWebhookSignature(secret, body, header)).toBe(true);
    expect(verifyWebhookSignature(secret, `${body} `, header)).toBe(false);
    expect(verifyWebhookSignature('another-secret-entirely', body, header)).toBe(false);
    expect(verifyWebhookSignature(secret, body, undefined)).toBe(false);
  });
});
