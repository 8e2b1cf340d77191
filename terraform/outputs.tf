output "function_urls" {
  description = "HTTPS endpoint of each HTTP function."
  value       = { for name, f in google_cloudfunctions2_function.http : name => f.service_config[0].uri }
}

output "worker_job" {
  description = "Name of the worker Cloud Run job (gcloud run jobs execute vividly-worker --region REGION --wait)."
  value       = google_cloud_run_v2_job.worker.name
}

output "migrate_job" {
  description = "Name of the migrations job, run once per deploy."
  value       = google_cloud_run_v2_job.migrate.name
}

output "sql_connection_name" {
  description = "INSTANCE_CONNECTION_NAME for the Cloud SQL connector."
  value       = google_sql_database_instance.main.connection_name
}

output "buckets" {
  description = "Content, OER, work (7-day lifecycle) and functions-source buckets."
  value = {
    content = google_storage_bucket.content.name
    oer     = google_storage_bucket.oer.name
    work    = google_storage_bucket.work.name
    source  = google_storage_bucket.functions_source.name
  }
}
