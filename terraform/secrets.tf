# The webhook signing secret lives in Secret Manager; its value is added out of band
# (`gcloud secrets versions add vividly-webhook-secret --data-file=-`), never in this repo or in state.
resource "google_secret_manager_secret" "webhook" {
  secret_id = "vividly-webhook-secret"
  labels    = local.labels

  replication {
    auto {}
  }
}

# The pepper API keys are HMAC'd with (`vividly keys create` stores only HMAC-SHA256(pepper, secret)). Its
# value is added out of band (`openssl rand -hex 32 | gcloud secrets versions add vividly-api-key-pepper
# --data-file=-`) and must be the one `vividly keys` sees when it creates keys (run it with API_KEY_PEPPER set).
resource "google_secret_manager_secret" "api_key_pepper" {
  secret_id = "vividly-api-key-pepper"
  labels    = local.labels

  replication {
    auto {}
  }
}

# A service-role key of the smoke-test organisation, read by Cloud Build's smoke test after each deploy.
resource "google_secret_manager_secret" "smoke_api_key" {
  secret_id = "vividly-smoke-api-key"
  labels    = local.labels

  replication {
    auto {}
  }
}
