locals {
  http_functions = {
    submit_content_request   = { sa = "submit", timeout = 30 }
    get_request_status       = { sa = "status", timeout = 30 }
    list_requests            = { sa = "status", timeout = 30 }
    request_events           = { sa = "status", timeout = 3600 } # SSE: the stream stays open
    request_stream_token     = { sa = "status", timeout = 30 }
    lesson_file              = { sa = "status", timeout = 60 }
    whoami                   = { sa = "status", timeout = 30 }
    teacher_page             = { sa = "health", timeout = 30 } # static files: the health check's account
    answer_clarification     = { sa = "answer", timeout = 30 }
    cancel_request           = { sa = "cancel", timeout = 30 }
    retry_request            = { sa = "retry", timeout = 30 }
    health                   = { sa = "health", timeout = 30 }
    submit_assessment        = { sa = "path_submit", timeout = 60 }
    get_workflow             = { sa = "path_read", timeout = 30 }
    workflow_events          = { sa = "path_read", timeout = 3600 } # SSE: the stream stays open
    workflow_stream_token    = { sa = "path_read", timeout = 30 }
    retry_workflow_items     = { sa = "path_change", timeout = 30 }
    regenerate_workflow_item = { sa = "path_change", timeout = 30 }
    cancel_workflow          = { sa = "path_change", timeout = 30 }
    export_lesson_file       = { sa = "export", timeout = 120 } # builds a SCORM zip from the lesson's files
    create_api_key           = { sa = "access", timeout = 30 }
    list_api_keys            = { sa = "access", timeout = 30 }
    revoke_api_key           = { sa = "access", timeout = 30 }
    put_member               = { sa = "access", timeout = 30 }
    list_members             = { sa = "access", timeout = 30 }
    remove_member            = { sa = "access", timeout = 30 }
  }
  function_env = {
    GOOGLE_CLOUD_PROJECT     = var.project_id
    INSTANCE_CONNECTION_NAME = google_sql_database_instance.main.connection_name
    DB_NAME                  = google_sql_database.app.name
    DB_IAM_AUTH              = "true"
    CONTENT_BUCKET           = google_storage_bucket.content.name
    ID_TOKEN_AUDIENCE        = var.identity_platform_project
  }
}

resource "google_cloudfunctions2_function" "http" {
  for_each = local.http_functions
  name     = replace(each.key, "_", "-")
  location = var.region
  labels   = local.labels

  build_config {
    runtime     = "python311"
    entry_point = each.key
    source {
      storage_source {
        bucket = google_storage_bucket.functions_source.name
        object = var.functions_source_object
      }
    }
  }

  service_config {
    service_account_email          = google_service_account.functions[each.value.sa].email
    available_memory               = "512Mi"
    timeout_seconds                = each.value.timeout
    max_instance_count             = 20
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    vpc_connector                  = google_vpc_access_connector.functions.id
    vpc_connector_egress_settings  = "PRIVATE_RANGES_ONLY"
    environment_variables = merge(local.function_env, {
      DB_USER = google_sql_user.iam[each.value.sa].name
    })
    # The functions authenticate callers themselves (API keys): the pepper their HMACs are made with.
    secret_environment_variables {
      key        = "API_KEY_PEPPER"
      project_id = var.project_id
      secret     = google_secret_manager_secret.api_key_pepper.secret_id
      version    = "latest"
    }
  }
}

resource "google_cloudfunctions2_function" "dead_letter" {
  name     = "handle-dead-letter"
  location = var.region
  labels   = local.labels

  build_config {
    runtime     = "python311"
    entry_point = "handle_dead_letter"
    source {
      storage_source {
        bucket = google_storage_bucket.functions_source.name
        object = var.functions_source_object
      }
    }
  }

  service_config {
    service_account_email         = google_service_account.functions["dead_letter"].email
    available_memory              = "256Mi"
    timeout_seconds               = 60
    max_instance_count            = 5
    ingress_settings              = "ALLOW_INTERNAL_ONLY"
    vpc_connector                 = google_vpc_access_connector.functions.id
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"
    environment_variables = merge(local.function_env, {
      DB_USER = google_sql_user.iam["dead_letter"].name
    })
  }

  event_trigger {
    trigger_region        = var.region
    event_type            = "google.cloud.pubsub.topic.v1.messagePublished"
    pubsub_topic          = google_pubsub_topic.dead_letter.id
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.functions["dead_letter"].email
  }
}

# Who may reach the HTTP functions: the identities named in var.api_invokers (the product's backend, an API
# gateway, the smoke-test account), with a Google ID token in `Authorization`. Each call then also carries a
# Vividly API key in `X-API-Key`, which the functions check themselves (organisation, role, quota): two
# locks, so a leaked key alone reaches nothing. Never allUsers.
resource "google_cloud_run_service_iam_member" "api_invoker" {
  for_each = {
    for pair in setproduct(keys(local.http_functions), var.api_invokers) : "${pair[0]}|${pair[1]}" => pair
  }
  location = var.region
  service  = google_cloudfunctions2_function.http[each.value[0]].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value[1]
}

# Eventarc delivers dead letters to the handler as its own service account.
resource "google_cloud_run_service_iam_member" "dead_letter_invoker" {
  location = var.region
  service  = google_cloudfunctions2_function.dead_letter.service_config[0].service
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.functions["dead_letter"].email}"
}

resource "google_project_iam_member" "dead_letter_event_receiver" {
  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.functions["dead_letter"].email}"
}
