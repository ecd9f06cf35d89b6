'use strict';
/**
 * A worker thread that signs SNS notifications with thaw's own simulator (dist/simulate), so the
 * bench can pre-sign tens of thousands of unique messages on every core before measuring.
 * workerData: { privateKeyPem, topicArn, specs: MessageSpec[] } (see bench/lib/sns-pool.ts).
 * Posts back one { body, messageId } per spec, in order.
 */
const path = require('node:path');
const { parentPort, workerData } = require('node:worker_threads');
const DIST = path.join(__dirname, '..', '..', 'dist');
const { createSigner } = require(path.join(DIST, 'simulate', 'sns-signer'));
const { s3NotificationMessage } = require(path.join(DIST, 'simulate', 'restore-notifications'));

const { privateKeyPem, topicArn, specs } = workerData;
const signers = new Map();
const signed = specs.map((spec) => {
  let signer = signers.get(spec.certUrl);
  if (!signer) signers.set(spec.certUrl, (signer = createSigner(privateKeyPem, spec.certUrl)));
  const message = signer.sign(
    {
      Type: 'Notification',
      TopicArn: topicArn,
      Subject: 'Amazon S3 Notification',
      Message: s3NotificationMessage([spec.restore]),
    },
    spec.signatureVersion,
  );
  return { body: JSON.stringify(message), messageId: message.MessageId };
});
parentPort.postMessage(signed);
