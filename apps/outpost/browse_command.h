// `outpost servers` (a master server's list) and `outpost query` (one server's A2S info,
// players and rules): what a person uses to look at game servers, through outpost::ServerBrowser.
#pragma once

int runServersCommand(int argc, char** argv);  // argv[0] is "servers"
int runQueryCommand(int argc, char** argv);    // argv[0] is "query"
