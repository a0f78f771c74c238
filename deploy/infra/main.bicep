// The Azure Bot resource for the CAC help-desk bot, with the Microsoft Teams and Web Chat channels.
// Deploy:  az deployment group create -g <resource-group> -f deploy/infra/main.bicep \
//            -p botName=cac-helpdesk microsoftAppId=<app id> publicUrl=https://help.example.mil
// The bot itself runs wherever you host the container (deploy/Dockerfile); this only registers it with Azure.
// No secret is a parameter here: the app password (or managed identity) is set on the host as MicrosoftAppPassword.
//
// Azure Government (GCC-High, DoD): deploy with `az cloud set --name AzureUSGovernment`. The bot then talks to
// https://botframework.azure.us, so set ChannelService=https://botframework.azure.us on the host as well, and use
// a SingleTenant app registered in the government tenant. Teams in GCC-High/DoD loads no external images, which is
// why the bot's cards carry none.

@description('Name of the Azure Bot resource (also its handle).')
param botName string

@description('Azure Bot resources are global.')
param location string = 'global'

@description('The Microsoft Entra app id of the bot (MicrosoftAppId).')
param microsoftAppId string

@description('SingleTenant for government tenants; UserAssignedMSI when the host uses a managed identity.')
@allowed(['SingleTenant', 'MultiTenant', 'UserAssignedMSI'])
param microsoftAppType string = 'SingleTenant'

@description('Tenant of the app registration (SingleTenant and UserAssignedMSI).')
param microsoftAppTenantId string = tenant().tenantId

@description('Resource id of the managed identity, with UserAssignedMSI.')
param msiResourceId string = ''

@description('Where the bot is reached over https, e.g. https://help.example.mil (it serves /api/messages).')
param publicUrl string

@allowed(['F0', 'S1'])
param sku string = 'S1'

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: botName
  location: location
  kind: 'azurebot'
  sku: {
    name: sku
  }
  properties: {
    displayName: 'CAC Help Desk'
    description: 'Step-by-step help when a CAC will not register or log in to AKO/DKO.'
    endpoint: '${publicUrl}/api/messages'
    msaAppId: microsoftAppId
    msaAppType: microsoftAppType
    msaAppTenantId: microsoftAppType == 'MultiTenant' ? '' : microsoftAppTenantId
    msaAppMSIResourceId: microsoftAppType == 'UserAssignedMSI' ? msiResourceId : null
    disableLocalAuth: true
  }
}

resource teams 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: location
  properties: {
    channelName: 'MsTeamsChannel'
    properties: {
      isEnabled: true
      acceptedTerms: true
    }
  }
}

// Azure's hosted Web Chat. The help page served by the bot itself uses the built-in Direct Line instead and needs
// no Azure channel; this one is for sites that embed Azure's Web Chat.
resource webChat 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'WebChatChannel'
  location: location
  properties: {
    channelName: 'WebChatChannel'
    properties: {
      sites: [
        {
          siteName: 'CAC help website'
          isEnabled: true
          isWebchatPreviewEnabled: true
        }
      ]
    }
  }
}

output messagingEndpoint string = bot.properties.endpoint
