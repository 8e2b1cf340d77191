variable "project_id" {
  description = "Google Cloud project to deploy into."
  type        = string
}

variable "region" {
  description = "Region for Cloud Run, Cloud Functions, Cloud SQL and buckets."
  type        = string
  default     = "us-central1"
}

variable "environment" {
  description = "Label and name suffix: dev, staging or prod."
  type        = string
  default     = "prod"
}

variable "worker_image" {
  description = "Worker image pinned by digest (REGION-docker.pkg.dev/PROJECT/REPO/worker@sha256:...). Never a tag: tags move."
  type        = string
  validation {
    condition     = can(regex("@sha256:[a-f0-9]{64}$", var.worker_image))
    error_message = "worker_image must be referenced by digest (…@sha256:<64 hex>)."
  }
}

variable "functions_source_object" {
  description = "Object name of the zipped source in the functions source bucket (written by Cloud Build, content-addressed)."
  type        = string
}

variable "max_delivery_attempts" {
  description = "Deliveries before a request message is dead-lettered (Pub/Sub allows 5-100)."
  type        = number
  default     = 5
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100."
  }
}

variable "ack_deadline_s" {
  description = "Ack deadline of the request subscription; the worker's lease keeper extends it every third of it (ACK_DEADLINE_S)."
  type        = number
  default     = 60
}

variable "job_tasks" {
  description = "Tasks per worker job execution (each drains the subscription)."
  type        = number
  default     = 2
}

variable "job_timeout_s" {
  description = "Time limit of one worker task."
  type        = number
  default     = 3600
}

variable "db_tier" {
  description = "Cloud SQL machine tier."
  type        = string
  default     = "db-custom-1-3840"
}

variable "alert_email" {
  description = "Where alerts go."
  type        = string
}

variable "schedule" {
  description = "How often Cloud Scheduler starts a worker execution (cron, in the job's region)."
  type        = string
  default     = "* * * * *"
}

variable "api_invokers" {
  description = "Members allowed to call the HTTP functions (e.g. serviceAccount:backend@PROJECT.iam.gserviceaccount.com)."
  type        = list(string)
  default     = []
}

variable "build_service_account" {
  description = "The account Cloud Build runs as (serviceAccount:...): it reads the smoke test's API key. Empty: grant it by hand."
  type        = string
  default     = ""
}

variable "identity_platform_project" {
  description = "The Firebase / Identity Platform project whose ID tokens sign people in (the tokens' audience). Empty: API keys only."
  type        = string
  default     = ""
}
