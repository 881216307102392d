"""Certificates: the PDF a learner gets when a cohort ends, its public verification page, reissue and revocation."""
