#!/bin/bash
#
# devstack/plugin.sh
# Hooks the Fenix maintenance service into devstack's stack.sh,
# unstack.sh and clean.sh.

# Save trace setting
_XTRACE_FENIX_PLUGIN=$(set +o | grep xtrace)
set -o xtrace

source $FENIX_DIR/devstack/lib/fenix

if is_service_enabled fenix-api fenix-engine; then
    if [[ "$1" == "stack" && "$2" == "install" ]]; then
        echo_summary "Installing Fenix"
        install_fenix
    elif [[ "$1" == "stack" && "$2" == "post-config" ]]; then
        echo_summary "Configuring Fenix"
        configure_fenix
        if is_service_enabled key; then
            create_fenix_accounts
        fi
    elif [[ "$1" == "stack" && "$2" == "extra" ]]; then
        echo_summary "Initializing and starting Fenix"
        init_fenix
        start_fenix
    fi

    if [[ "$1" == "unstack" ]]; then
        echo_summary "Stopping Fenix"
        stop_fenix
    fi

    if [[ "$1" == "clean" ]]; then
        echo_summary "Cleaning Fenix"
        cleanup_fenix
    fi
fi

# Restore xtrace
$_XTRACE_FENIX_PLUGIN
