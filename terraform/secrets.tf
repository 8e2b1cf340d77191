# The webhook signing secret lives in Secret Manager; its value is added out of band
# (`gcloud secrets versions add vividly-webhook-secret --data-file=-`), never in this repo or in state.
resource "google_secret_manager_secret" "webhook" {
  secret_id = "vividly-webhook-secret"
  labels    = local.labels

  replication {
    auto {}
  }
}
