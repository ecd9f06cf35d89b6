#!/usr/bin/env bash
# LocalStack "ready" hook for thaw's local stack. docker-compose.yml mounts this folder at
# /etc/localstack/init/ready.d; LocalStack runs the executable *.sh files there once its services
# answer, and reports each script's outcome at /_localstack/init/ready (the compose healthcheck
# waits for SUCCESSFUL, so thaw starts only on a fully prepared LocalStack).
#
# What it creates (docs/DOCKER.md has the walk-through):
#   - bucket thaw-archive with one GLACIER object, sample/archived-report.txt, to restore;
#   - the SES sender identity thaw@example.com (thaw's MAIL_FROM);
#   - SNS topic thaw-restore-events (SignatureVersion 2) whose policy lets only S3, for this
#     bucket in this account, publish to it; and topic thaw-ses-feedback (SNS_FEEDBACK_TOPIC_ARNS);
#   - the bucket's event notification s3:ObjectRestore:* -> thaw-restore-events;
#   - HTTP subscriptions of thaw's endpoint http://thaw:3000/sns to both topics, confirmed here.
#
# Idempotent: every step either checks first or is a "put" of the same value, so running it
# again (LocalStack restart, or by hand: docker compose exec localstack
# /etc/localstack/init/ready.d/thaw-setup.sh) changes nothing that is already right.
set -euo pipefail

REGION="${AWS_DEFAULT_REGION:-us-east-1}"
ACCOUNT="000000000000" # LocalStack's default account id
BUCKET="${THAW_BUCKET:-thaw-archive}"
SAMPLE_KEY="${THAW_SAMPLE_KEY:-sample/archived-report.txt}"
MAIL_FROM="${THAW_MAIL_FROM:-thaw@example.com}"
ENDPOINT="${THAW_SNS_ENDPOINT:-http://thaw:3000/sns}"
RESTORE_TOPIC="thaw-restore-events"
FEEDBACK_TOPIC="thaw-ses-feedback"
LOCALSTACK_URL="http://localhost:4566"

log() { echo "thaw-setup: $*"; }

# --- S3: the bucket and one archived object -------------------------------------------------
if awslocal s3api head-bucket --bucket "$BUCKET" >/dev/null 2>&1; then
  log "bucket $BUCKET exists"
else
  # us-east-1 takes no LocationConstraint; any other region needs one.
  if [ "$REGION" = "us-east-1" ]; then
    awslocal s3api create-bucket --bucket "$BUCKET" >/dev/null
  else
    awslocal s3api create-bucket --bucket "$BUCKET" \
      --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
  fi
  log "created bucket $BUCKET"
fi

# Only when missing: putting it again would replace a copy that a restore has made readable.
if awslocal s3api head-object --bucket "$BUCKET" --key "$SAMPLE_KEY" >/dev/null 2>&1; then
  log "object s3://$BUCKET/$SAMPLE_KEY exists"
else
  body="$(mktemp)"
  trap 'rm -f "$body"' EXIT
  printf 'A quarterly report that was archived to S3 Glacier Flexible Retrieval.\n' >"$body"
  awslocal s3api put-object --bucket "$BUCKET" --key "$SAMPLE_KEY" --body "$body" \
    --storage-class GLACIER >/dev/null
  log "uploaded s3://$BUCKET/$SAMPLE_KEY as GLACIER"
fi

# --- SES: the sender identity ---------------------------------------------------------------
awslocal ses verify-email-identity --email-address "$MAIL_FROM" >/dev/null
log "verified SES identity $MAIL_FROM"

# --- SNS: topics and their policies ---------------------------------------------------------
# CreateTopic returns the existing topic when it exists; attributes are set separately because
# CreateTopic refuses to "re-create" a topic with attributes that differ from the stored ones.
restore_topic_arn="$(awslocal sns create-topic --name "$RESTORE_TOPIC" --query TopicArn --output text)"
feedback_topic_arn="$(awslocal sns create-topic --name "$FEEDBACK_TOPIC" --query TopicArn --output text)"
for topic_arn in "$restore_topic_arn" "$feedback_topic_arn"; do
  # SignatureVersion 2: SHA256withRSA signatures (thaw accepts 1 and 2 unless told otherwise).
  awslocal sns set-topic-attributes --topic-arn "$topic_arn" \
    --attribute-name SignatureVersion --attribute-value 2
done

# The policy AWS needs before S3 may publish to a topic: the S3 service principal, and only on
# behalf of this bucket (aws:SourceArn) in this account (aws:SourceAccount), so another account's
# bucket cannot use the topic. LocalStack does not enforce it by default; AWS does.
restore_topic_policy="$(
  cat <<JSON
{
  "Version": "2012-10-17",
  "Id": "thaw-restore-events-policy",
  "Statement": [
    {
      "Sid": "AllowS3RestoreEventsFromTheArchiveBucket",
      "Effect": "Allow",
      "Principal": { "Service": "s3.amazonaws.com" },
      "Action": "SNS:Publish",
      "Resource": "$restore_topic_arn",
      "Condition": {
        "ArnLike": { "aws:SourceArn": "arn:aws:s3:::$BUCKET" },
        "StringEquals": { "aws:SourceAccount": "$ACCOUNT" }
      }
    }
  ]
}
JSON
)"
awslocal sns set-topic-attributes --topic-arn "$restore_topic_arn" \
  --attribute-name Policy --attribute-value "$restore_topic_policy"

# SES publishes bounce/complaint/delivery events through a configuration set's event destination.
feedback_topic_policy="$(
  cat <<JSON
{
  "Version": "2012-10-17",
  "Id": "thaw-ses-feedback-policy",
  "Statement": [
    {
      "Sid": "AllowSesFeedbackFromThisAccount",
      "Effect": "Allow",
      "Principal": { "Service": "ses.amazonaws.com" },
      "Action": "SNS:Publish",
      "Resource": "$feedback_topic_arn",
      "Condition": { "StringEquals": { "aws:SourceAccount": "$ACCOUNT" } }
    }
  ]
}
JSON
)"
awslocal sns set-topic-attributes --topic-arn "$feedback_topic_arn" \
  --attribute-name Policy --attribute-value "$feedback_topic_policy"
log "topics $restore_topic_arn and $feedback_topic_arn ready"

# --- S3 -> SNS: restore events of the bucket ------------------------------------------------
# s3:ObjectRestore:* covers Post (initiated), Completed and Delete (the restored copy expired).
# A put replaces the whole configuration, so this stays idempotent. S3 sends s3:TestEvent to the
# topic when the configuration is set; thaw answers 200 and ignores it.
notification_configuration="$(
  cat <<JSON
{
  "TopicConfigurations": [
    {
      "Id": "thaw-restore-events",
      "TopicArn": "$restore_topic_arn",
      "Events": ["s3:ObjectRestore:*"]
    }
  ]
}
JSON
)"
awslocal s3api put-bucket-notification-configuration --bucket "$BUCKET" \
  --notification-configuration "$notification_configuration"
log "bucket $BUCKET notifies s3:ObjectRestore:* to $RESTORE_TOPIC"

# --- SNS -> thaw: HTTP subscriptions ----------------------------------------------------------
# Subscribe returns the existing subscription for the same topic, protocol and endpoint. thaw is
# not running yet (it waits for this container's healthcheck), so the SubscriptionConfirmation
# LocalStack POSTs to it now fails; LocalStack exposes the confirmation token on an internal
# endpoint, and the subscription is confirmed from here instead. (thaw confirms by itself, by
# GETting SubscribeURL, whenever it does receive a SubscriptionConfirmation it can verify.)
subscribe_and_confirm() {
  local topic_arn="$1" subscription_arn pending token
  subscription_arn="$(awslocal sns subscribe --topic-arn "$topic_arn" --protocol http \
    --notification-endpoint "$ENDPOINT" --return-subscription-arn \
    --query SubscriptionArn --output text)"
  pending="$(awslocal sns get-subscription-attributes --subscription-arn "$subscription_arn" \
    --query Attributes.PendingConfirmation --output text)"
  if [ "$pending" = "true" ]; then
    token="$(curl -fsS "$LOCALSTACK_URL/_aws/sns/subscription-tokens/$subscription_arn" |
      sed -n 's/.*"subscription_token": *"\([^"]*\)".*/\1/p')"
    if [ -z "$token" ]; then
      log "no confirmation token for $subscription_arn"
      return 1
    fi
    awslocal sns confirm-subscription --topic-arn "$topic_arn" --token "$token" >/dev/null
    log "confirmed $subscription_arn"
  else
    log "subscription $subscription_arn already confirmed"
  fi
}
subscribe_and_confirm "$restore_topic_arn"
subscribe_and_confirm "$feedback_topic_arn"

log "done"
