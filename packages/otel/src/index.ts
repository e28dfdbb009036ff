// Under construction: see this package's issue. Nothing is exported yet.
export {};
