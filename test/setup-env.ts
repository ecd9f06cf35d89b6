// AWS SDK clients in tests talk to emulators or mocks only: give them static credentials, and never
// let the default provider chain wait on an instance-metadata endpoint that does not exist here.
// s3rver (the S3 emulator) knows only its own key pair; the SES emulator and mocks take any.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
