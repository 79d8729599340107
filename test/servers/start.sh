#!/bin/sh
# PLACEHOLDER (completed by the database-servers owner): starts the servers, writes "$1/env".
set -eu
: > "$1/env"
