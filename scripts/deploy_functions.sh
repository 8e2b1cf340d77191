#!/usr/bin/env bash
# Deploy every Cloud Function (gen2) from one zipped source object: used by Cloud Build to deploy and to roll back.
# Usage: scripts/deploy_functions.sh REGION SOURCE_BUCKET OBJECT
set -euo pipefail
region=$1 bucket=$2 object=$3
source="gs://${bucket}/${object}"
for fn in submit_content_request get_request_status answer_clarification cancel_request retry_request health \
  submit_assessment get_workflow retry_workflow_items regenerate_workflow_item cancel_workflow workflow_events; do
  # The event stream stays open for up to 50 minutes; every other function answers at once.
  timeout=30; [ "$fn" = workflow_events ] && timeout=3600
  gcloud functions deploy "${fn//_/-}" --gen2 --region "$region" --runtime python311 --entry-point "$fn" \
    --source "$source" --trigger-http --no-allow-unauthenticated --timeout "${timeout}s" --quiet
done
gcloud functions deploy handle-dead-letter --gen2 --region "$region" --runtime python311 \
  --entry-point handle_dead_letter --trigger-topic content-requests-dead-letter --source "$source" --quiet
