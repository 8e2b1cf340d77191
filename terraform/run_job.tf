locals {
  worker_env = {
    GOOGLE_CLOUD_PROJECT     = var.project_id
    INSTANCE_CONNECTION_NAME = google_sql_database_instance.main.connection_name
    DB_NAME                  = google_sql_database.app.name
    DB_IAM_AUTH              = "true"
    CONTENT_BUCKET           = google_storage_bucket.content.name
    WORK_BUCKET              = google_storage_bucket.work.name
    KNOWLEDGE_BUCKET         = google_storage_bucket.oer.name
    SCRIPT_WRITER            = "gemini"
    NARRATOR                 = "cloud-tts"
    VERTEX_LOCATION          = var.region
    ACK_DEADLINE_S           = tostring(var.ack_deadline_s)
    MAX_DELIVERY_ATTEMPTS    = tostring(var.max_delivery_attempts)
  }
}

resource "google_cloud_run_v2_job" "worker" {
  name                = "vividly-worker"
  location            = var.region
  deletion_protection = false
  labels              = local.labels

  template {
    task_count  = var.job_tasks
    parallelism = var.job_tasks

    template {
      service_account = google_service_account.worker.email
      timeout         = "${var.job_timeout_s}s"
      max_retries     = 1

      vpc_access {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = google_compute_network.main.id
          subnetwork = google_compute_subnetwork.main.id
        }
      }

      containers {
        image   = var.worker_image
        command = ["python", "-m", "worker"]
        args    = ["--drain"]

        resources {
          limits = {
            cpu    = "2"
            memory = "2Gi"
          }
        }

        dynamic "env" {
          for_each = merge(local.worker_env, { DB_USER = google_sql_user.iam["worker"].name })
          content {
            name  = env.key
            value = env.value
          }
        }

        env {
          name = "WEBHOOK_SECRET"
          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.webhook.secret_id
              version = "latest"
            }
          }
        }
      }
    }
  }
}

# Schema migrations as a one-off execution of the same image: `gcloud run jobs execute vividly-migrate --wait`.
resource "google_cloud_run_v2_job" "migrate" {
  name                = "vividly-migrate"
  location            = var.region
  deletion_protection = false
  labels              = local.labels

  template {
    task_count = 1

    template {
      service_account = google_service_account.migrator.email
      timeout         = "600s"
      max_retries     = 0

      vpc_access {
        egress = "PRIVATE_RANGES_ONLY"
        network_interfaces {
          network    = google_compute_network.main.id
          subnetwork = google_compute_subnetwork.main.id
        }
      }

      containers {
        image   = var.worker_image
        command = ["vividly"]
        args    = ["db", "upgrade"]

        env {
          name  = "INSTANCE_CONNECTION_NAME"
          value = google_sql_database_instance.main.connection_name
        }
        env {
          name  = "DB_NAME"
          value = google_sql_database.app.name
        }
        env {
          name  = "DB_USER"
          value = google_sql_user.iam["migrator"].name
        }
        env {
          name  = "DB_IAM_AUTH"
          value = "true"
        }
      }
    }
  }
}
