"""PostgreSQL adapter: tables, imperative ORM mapping, repositories, unit of work and read models."""
