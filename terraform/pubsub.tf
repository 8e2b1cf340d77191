resource "google_pubsub_topic" "requests" {
  name                       = "content-requests"
  message_retention_duration = "86400s"
  labels                     = local.labels
}

resource "google_pubsub_topic" "dead_letter" {
  name   = "content-requests-dead-letter"
  labels = local.labels
}

resource "google_pubsub_topic" "events" {
  name   = "content-events"
  labels = local.labels
}

resource "google_pubsub_topic" "events_dead_letter" {
  name   = "content-events-dead-letter"
  labels = local.labels
}

# The worker's pull subscription. No message ordering: with ordering on, messages are never dead-lettered.
resource "google_pubsub_subscription" "requests_worker" {
  name                       = "content-requests-worker"
  topic                      = google_pubsub_topic.requests.id
  ack_deadline_seconds       = var.ack_deadline_s
  message_retention_duration = "604800s"
  enable_message_ordering    = false
  labels                     = local.labels

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

# Keeps every dead letter for review and replay (a topic with no subscription drops what it is sent).
# It is the end of the line, so it has a retry policy but no dead-letter policy of its own.
resource "google_pubsub_subscription" "dead_letter_retained" {
  name                       = "content-requests-dead-letter-retained"
  topic                      = google_pubsub_topic.dead_letter.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = merge(local.labels, { terminal = "true" })

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

# Completion/failure events, kept for consumers that pull; poison events park on their own dead-letter topic.
resource "google_pubsub_subscription" "events_archive" {
  name                       = "content-events-archive"
  topic                      = google_pubsub_topic.events.id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = local.labels

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.events_dead_letter.id
    max_delivery_attempts = 10
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

resource "google_pubsub_subscription" "events_dead_letter_retained" {
  name                       = "content-events-dead-letter-retained"
  topic                      = google_pubsub_topic.events_dead_letter.id
  message_retention_duration = "604800s"
  labels                     = merge(local.labels, { terminal = "true" })

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  expiration_policy {
    ttl = ""
  }
}

# The two grants dead-lettering needs, for each subscription that dead-letters.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = {
    requests = google_pubsub_topic.dead_letter.name
    events   = google_pubsub_topic.events_dead_letter.name
  }
  topic  = each.value
  role   = "roles/pubsub.publisher"
  member = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_source_subscriber" {
  for_each = {
    requests = google_pubsub_subscription.requests_worker.name
    events   = google_pubsub_subscription.events_archive.name
  }
  subscription = each.value
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
