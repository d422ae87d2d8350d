"""The API's marshmallow schemas, one module per resource (like CTFd's `api/v1/`): `contracts`,
`realisations`, `policies`, `calculator`; `common` holds what several share (paging, a breakdown
line) and `fields` the bounded field types they are built from."""
