"""One typed client per backend service, each holding only what the pages use."""
