#!/bin/sh
touch /tmp/plumb-kustomize-exec-ran
cat
