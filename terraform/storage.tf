resource "google_storage_bucket" "access_logs" {
  #checkov:skip=CKV_GCP_62:this is the access-log bucket; logging it into itself would loop
  name                        = "${var.project_id}-vividly-access-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = 365
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket" "content" {
  name                        = "${var.project_id}-vividly-content"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false
  labels                      = local.labels

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  versioning {
    enabled = true
  }
}

resource "google_storage_bucket" "oer" {
  name                        = "${var.project_id}-vividly-oer"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  versioning {
    enabled = true
  }
}

# Stage checkpoints: needed only while a request is in flight.
resource "google_storage_bucket" "work" {
  name                        = "${var.project_id}-vividly-work"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 1
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 7
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket" "functions_source" {
  name                        = "${var.project_id}-vividly-functions-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = local.labels

  logging {
    log_bucket = google_storage_bucket.access_logs.name
  }

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 1
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 90
    }
    action {
      type = "Delete"
    }
  }
}
