# One service account per runtime, each granted only what it uses. No primitive roles anywhere.
resource "google_service_account" "worker" {
  account_id   = "vividly-worker"
  display_name = "Vividly content worker (Cloud Run job)"
}

resource "google_service_account" "migrator" {
  account_id   = "vividly-migrator"
  display_name = "Vividly schema migrations (one-off job execution)"
}

resource "google_service_account" "scheduler" {
  account_id   = "vividly-scheduler"
  display_name = "Starts worker job executions"
}

resource "google_service_account" "functions" {
  for_each = {
    submit      = "submit_content_request"
    status      = "get_request_status"
    answer      = "answer_clarification"
    cancel      = "cancel_request"
    retry       = "retry_request"
    health      = "health"
    dead_letter = "handle_dead_letter"
    path_submit = "submit_assessment"
    path_read   = "get_workflow, workflow_events"
    path_change = "retry_workflow_items, regenerate_workflow_item, cancel_workflow"
    export      = "export_lesson_file"
    access      = "API keys and members (owners)"
  }
  account_id   = "vividly-fn-${replace(each.key, "_", "-")}"
  display_name = "Vividly function: ${each.value}"
}

locals {
  sql_client_members = concat(
    ["serviceAccount:${google_service_account.worker.email}", "serviceAccount:${google_service_account.migrator.email}"],
    [for sa in google_service_account.functions : "serviceAccount:${sa.email}"],
  )
}

resource "google_project_iam_member" "sql_client" {
  for_each = toset(local.sql_client_members)
  project  = var.project_id
  role     = "roles/cloudsql.client"
  member   = each.value
}

resource "google_project_iam_member" "sql_instance_user" {
  for_each = toset(local.sql_client_members)
  project  = var.project_id
  role     = "roles/cloudsql.instanceUser"
  member   = each.value
}

# Publishing: submit, answer and retry enqueue request messages; the worker announces events.
resource "google_pubsub_topic_iam_member" "requests_publishers" {
  for_each = {
    submit = google_service_account.functions["submit"].email
    answer = google_service_account.functions["answer"].email
    retry  = google_service_account.functions["retry"].email
    # A workflow's children are released at submit, by retry and regenerate, and by the worker as
    # earlier children finish.
    path_submit = google_service_account.functions["path_submit"].email
    path_change = google_service_account.functions["path_change"].email
    worker      = google_service_account.worker.email
  }
  topic  = google_pubsub_topic.requests.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${each.value}"
}

resource "google_pubsub_topic_iam_member" "events_publisher" {
  topic  = google_pubsub_topic.events.name
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.worker.email}"
}

resource "google_pubsub_subscription_iam_member" "worker_subscriber" {
  subscription = google_pubsub_subscription.requests_worker.name
  role         = "roles/pubsub.subscriber"
  member       = "serviceAccount:${google_service_account.worker.email}"
}

# The health function checks that the requests topic answers.
resource "google_pubsub_topic_iam_member" "health_viewer" {
  topic  = google_pubsub_topic.requests.name
  role   = "roles/pubsub.viewer"
  member = "serviceAccount:${google_service_account.functions["health"].email}"
}

# Storage: the worker writes checkpoints and lessons and reads OER; the status function signs URLs.
resource "google_storage_bucket_iam_member" "worker_buckets" {
  for_each = {
    content = google_storage_bucket.content.name
    work    = google_storage_bucket.work.name
  }
  bucket = each.value
  role   = "roles/storage.objectAdmin"
  member = "serviceAccount:${google_service_account.worker.email}"
}

resource "google_storage_bucket_iam_member" "worker_oer_reader" {
  bucket = google_storage_bucket.oer.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.worker.email}"
}

# The status functions (a request's, a workflow's) read lessons and sign their URLs.
resource "google_storage_bucket_iam_member" "status_reader" {
  for_each = toset(["status", "path_read"])
  bucket   = google_storage_bucket.content.name
  role     = "roles/storage.objectViewer"
  member   = "serviceAccount:${google_service_account.functions[each.value].email}"
}

# The export function reads a lesson's files and adds its SCORM package beside them. objectCreator may add,
# never overwrite or delete: package names are content-addressed, so an export never needs to overwrite.
resource "google_storage_bucket_iam_member" "export_writer" {
  for_each = toset(["roles/storage.objectViewer", "roles/storage.objectCreator"])
  bucket   = google_storage_bucket.content.name
  role     = each.value
  member   = "serviceAccount:${google_service_account.functions["export"].email}"
}

# V4 signed URLs without a key file: each function that hands out URLs signs as itself (IAM signBlob API).
resource "google_service_account_iam_member" "status_self_signer" {
  for_each           = toset(["status", "path_read", "export"])
  service_account_id = google_service_account.functions[each.value].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.functions[each.value].email}"
}

# The worker calls Vertex AI (Gemini) and Cloud Text-to-Speech.
resource "google_project_iam_member" "worker_vertex" {
  project = var.project_id
  role    = "roles/aiplatform.user"
  member  = "serviceAccount:${google_service_account.worker.email}"
}

resource "google_project_iam_member" "worker_logging" {
  for_each = toset(["roles/logging.logWriter", "roles/monitoring.metricWriter", "roles/cloudtrace.agent"])
  project  = var.project_id
  role     = each.value
  member   = "serviceAccount:${google_service_account.worker.email}"
}

# Cloud Scheduler starts executions of the worker job, and nothing else.
resource "google_cloud_run_v2_job_iam_member" "scheduler_invoker" {
  name     = google_cloud_run_v2_job.worker.name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_cloud_run_v2_job_iam_member" "migrator_invoker" {
  name     = google_cloud_run_v2_job.migrate.name
  location = var.region
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.scheduler.email}"
}

resource "google_secret_manager_secret_iam_member" "worker_webhook_secret" {
  secret_id = google_secret_manager_secret.webhook.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.worker.email}"
}

# Every HTTP function checks API keys, so each of their accounts reads the pepper (and nothing else does).
resource "google_secret_manager_secret_iam_member" "functions_api_key_pepper" {
  for_each  = toset(distinct([for f in local.http_functions : f.sa]))
  secret_id = google_secret_manager_secret.api_key_pepper.id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.functions[each.value].email}"
}

resource "google_secret_manager_secret_iam_member" "build_smoke_api_key" {
  count     = var.build_service_account == "" ? 0 : 1
  secret_id = google_secret_manager_secret.smoke_api_key.id
  role      = "roles/secretmanager.secretAccessor"
  member    = var.build_service_account
}
