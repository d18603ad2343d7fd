#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, kubedr.astra developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

DOCUMENTATION = r'''
module: astra_bucket_info
short_description: List the object storage buckets known to Astra Control
version_added: 0.1.0
description:
  - Returns the buckets Astra Control stores backups in.
  - The API's bucket list accepts no filter, so one request lists every bucket and the module filters by name.
  - Nothing matching is not an error; RV(buckets) is then empty.
author:
  - kubedr.astra developers (@kubedr)
options:
  name:
    description:
      - Only the bucket with this name.
    type: str
extends_documentation_fragment:
  - kubedr.astra.connection
  - kubedr.astra.attributes.info_module
  - kubedr.astra.attributes.action_group
seealso:
  - module: kubedr.astra.astra_cluster_info
'''

EXAMPLES = r'''
- name: List every bucket
  kubedr.astra.astra_bucket_info:
  register: all_buckets

- name: Read the bucket dr-bucket
  kubedr.astra.astra_bucket_info:
    name: dr-bucket
  register: dr_bucket

- name: Check that dr-bucket is available
  ansible.builtin.assert:
    that:
      - dr_bucket.buckets | length == 1
      - dr_bucket.buckets[0].state == 'available'
'''

RETURN = r'''
buckets:
  description:
    - The matching buckets as the Astra Control API returns them (camelCase keys); empty when none matches.
  returned: always
  type: list
  elements: dict
  sample:
    - id: 3f1d7c2b-8a4e-4b6f-9c0d-1e2f3a4b5c6d
      name: dr-bucket
      type: application/astra-bucket
      version: "1.2"
      state: available
      provider: ontap-s3
      bucketParameters: {"s3": {"serverURL": "s3.example.com", "bucketName": "dr-bucket"}}
timing:
  description:
    - When the module started and finished (controller clock, UTC, ISO 8601), for runbook reports.
    - C(accepted), only when the module changed something, is when the API accepted its last write, the moment the
      change took effect (a failover's RPO is measured to it).
  returned: always
  type: dict
  sample: {"started": "2025-01-31T09:31:41.120Z", "finished": "2025-01-31T09:31:43.802Z"}
'''

from ansible_collections.kubedr.astra.plugins.module_utils.astra_module import AstraModule


def list_buckets(module):
    return dict(changed=False, buckets=module.lookups.buckets(module.params["name"]))


def main():
    module = AstraModule(argument_spec=dict(name=dict(type="str")))
    module.run(list_buckets)


if __name__ == "__main__":
    main()
