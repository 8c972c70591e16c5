//! skyform-terraform: Terraform and Pulumi programs for the clusters and cloud services
//! of a resolved platform model.
