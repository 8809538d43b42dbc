# A configuration that needs no provider download: terraform_data stands in for a real server.
variable "environment" { type = string }
variable "instance_type" { type = string }
variable "region" { type = string }

resource "terraform_data" "server" {
  input = {
    environment   = var.environment
    instance_type = var.instance_type
    region        = var.region
  }
}

output "server" {
  value = terraform_data.server.output
}
