/* config_json.h - the config echo of stats.json (reports/config_json.c). */
#ifndef SP_CONFIG_JSON_H
#define SP_CONFIG_JSON_H
#include <cJSON.h>
#include "spattn.h"

/* Every config key under its YAML name (hardware.*, hardware.dram.*,
 * algorithm.*, energy.*) and the sweep axes if any, driven by the
 * declaration table (cmodel/params.c): the object, written as YAML (JSON
 * is YAML flow syntax), loads again to the same config. NULL if out of
 * memory. */
cJSON *sp_config_json(const sp_config *c);

#endif
