# How the job runs when work arrives: Cloud Scheduler starts a drain execution every minute. A drain
# with nothing to do exits in seconds; with work, its tasks pull until the subscription is empty. We chose
# this over executing the job from the submit path (which needs run.jobs.run on the hot path and starts one
# execution per request) and over an Eventarc trigger (one execution per message, no batching).
resource "google_cloud_scheduler_job" "drain" {
  name        = "vividly-worker-drain"
  region      = var.region
  schedule    = var.schedule
  time_zone   = "Etc/UTC"
  description = "Start a vividly-worker drain execution"

  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = "https://run.googleapis.com/v2/projects/${var.project_id}/locations/${var.region}/jobs/${google_cloud_run_v2_job.worker.name}:run"

    oauth_token {
      service_account_email = google_service_account.scheduler.email
    }
  }
}
