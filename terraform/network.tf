# Cloud SQL is reached on a private IP only; the job and the functions egress through this VPC.
resource "google_compute_network" "main" {
  name                    = "vividly"
  auto_create_subnetworks = false
}

resource "google_compute_subnetwork" "main" {
  name                     = "vividly-${var.region}"
  ip_cidr_range            = "10.10.0.0/24"
  region                   = var.region
  network                  = google_compute_network.main.id
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_5_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# Nothing listens in this VPC but the VPC Access connector: deny all ingress except its health checks.
resource "google_compute_firewall" "deny_ingress" {
  name      = "vividly-deny-ingress"
  network   = google_compute_network.main.name
  direction = "INGRESS"
  priority  = 65000

  deny {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]
}

resource "google_compute_firewall" "connector_health_checks" {
  name      = "vividly-allow-connector-health-checks"
  network   = google_compute_network.main.name
  direction = "INGRESS"
  priority  = 1000

  allow {
    protocol = "tcp"
    ports    = ["667"]
  }

  source_ranges = ["130.211.0.0/22", "35.191.0.0/16", "108.170.220.0/23"]
  target_tags   = ["vpc-connector"]
}

resource "google_compute_global_address" "sql_peering" {
  name          = "vividly-sql-peering"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
  network       = google_compute_network.main.id
}

resource "google_service_networking_connection" "sql" {
  network                 = google_compute_network.main.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.sql_peering.name]
}

# Cloud Functions reach Cloud SQL's private IP through a Serverless VPC Access connector.
resource "google_vpc_access_connector" "functions" {
  name          = "vividly-fn"
  region        = var.region
  ip_cidr_range = "10.8.0.0/28"
  network       = google_compute_network.main.name
  min_instances = 2
  max_instances = 3
}
