/*
 * datapath_setup: a configuration (config.h) written into the maps of a
 * loaded datapath, and the program attached to its interfaces. Shared by
 * redishad and the lab's stand-in for it.
 */
#ifndef REDISHA_DATAPATH_SETUP_H
#define REDISHA_DATAPATH_SETUP_H

#include "config.h"
#include "datapath.h"

/* VIPs, services (proxy port and one per shard, shard id = its index in
 * the file) and the ACL, exactly: entries the configuration does not have
 * (left by an earlier one in the pinned maps) are deleted. */
int datapath_setup_services(const struct datapath *dp, const struct config *cfg,
			    char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Each configured interface: its MAC (ARP replies), a devmap port, and the
 * program attached in the configured XDP mode (datapath_attach), which
 * `got[i]` describes for interface i. */
int datapath_setup_interfaces(const struct datapath *dp,
			      const struct config *cfg,
			      struct datapath_attachment *got, char *err,
			      size_t errlen) __attribute__((warn_unused_result));

/*
 * rh_config from the configuration, with `flags` (enum rh_config_flags)
 * and a heartbeat of now. The SNAT address is the configured one, or the
 * IPv4 address of the last configured interface (the back one).
 */
int datapath_setup_config(const struct datapath *dp, const struct config *cfg,
			  uint32_t flags, unsigned long long deadman_ms,
			  char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The IPv4 address (network order) and MAC of an interface. */
int datapath_iface_addr(const char *ifname, uint32_t *addr, char *err,
			size_t errlen) __attribute__((warn_unused_result));

#endif /* REDISHA_DATAPATH_SETUP_H */
