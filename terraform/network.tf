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
