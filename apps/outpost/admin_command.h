// `outpost admin ...`: administers a hub over the hub RPC (see admin_command.cpp for usage).
#pragma once

int runAdminCommand(int argc, char** argv);  // argv[0] is "admin"
