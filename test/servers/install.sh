#!/bin/sh
# PLACEHOLDER (completed by the database-servers owner): installs PostgreSQL and MariaDB when missing.
exit 0
